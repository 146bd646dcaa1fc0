"""Sigma rules: loading SigmaHQ-format rule files with pySigma, and reporting their problems."""
