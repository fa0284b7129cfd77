"""The accounts REST API (see tobacco_crm.api_urls)."""
