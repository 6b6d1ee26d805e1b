"""Database backends of MetroCoop: Django's own, with what the read tier's speed needed (see each module)."""
