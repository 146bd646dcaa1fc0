"""Check listening_high_risk_ports."""
