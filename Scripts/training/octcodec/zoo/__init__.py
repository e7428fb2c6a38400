"""Profiles (CompressAI's `zoo`): the profile.json builder shared by export.py (shipped profiles) and
make_parity.py (test and benchmark profiles), so that both write the format Profiles/FORMAT.md defines."""
from .profile import graph_tensors, load_profile, profile_document, sha256_file, write_json_atomic

__all__ = ["graph_tensors", "load_profile", "profile_document", "sha256_file", "write_json_atomic"]
