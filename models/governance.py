"""Models of this area of the domain (being written)."""
