"""payroll: models come with their issue."""
