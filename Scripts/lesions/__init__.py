"""Simulated-lesion benchmark helpers (Scripts/bench-lesions)."""
