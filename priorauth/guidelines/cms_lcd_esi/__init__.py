"""LCD L39240, epidural steroid injections: this folder's data, predicates (predicates.py), reader (reader.py) and sessions (sessions.py)."""
