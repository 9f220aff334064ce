"""Browser tests of the main journeys (`make e2e`), run against the demo data in Chromium."""
