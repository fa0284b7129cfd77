"""The products REST API (see tobacco_crm.api_urls)."""
