"""Several shops, one plan (see optimizer.portfolio.plan)."""
