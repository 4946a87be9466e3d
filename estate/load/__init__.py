"""Reading inputs: the register's files (`read`), their columns (`schema`), checking and typing
them (`validate`), and the scenario file (`scenario`)."""
