"""tobacco-crm: the workbench of a tobacco commercial company's customer managers."""
