"""This course's additions to nbgrader, loaded by nbgrader_config.py."""
