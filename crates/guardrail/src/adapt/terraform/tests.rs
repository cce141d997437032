//! Unit tests of the Terraform adapter.
