"""Printed filings: one template per document, one render function, gapless numbering."""
