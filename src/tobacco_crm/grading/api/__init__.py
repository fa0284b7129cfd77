"""The grading REST API (see tobacco_crm.api_urls)."""
