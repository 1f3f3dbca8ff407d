"""Pages of the booklet, one module per document."""
