"""Numbers that spread the demo's documents over their states.

They depend only on what the demo names (people, dates), never on database ids: ids differ from one
database to another (a PostgreSQL sequence is not reset between tests), and the same demo must come
out the same everywhere.
"""

import zlib


def number(*parts) -> int:
    return zlib.crc32("|".join(str(part) for part in parts).encode("utf-8"))


def contract_number(contract) -> int:
    apprentice = contract.apprentice
    return number(apprentice.last_name, apprentice.first_name, contract.start_date)
