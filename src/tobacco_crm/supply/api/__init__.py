"""The scarce-supply REST API (see tobacco_crm.api_urls): plans and their per-tier limit
tables, published limits, order entry within the limits, and reported demand."""
