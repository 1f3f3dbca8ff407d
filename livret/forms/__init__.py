"""Forms of the booklet, one module per document."""
