"""Portfolio workbook sheets (issue 20): see tracker/portfolio/format.py. Filled in by its own change."""
