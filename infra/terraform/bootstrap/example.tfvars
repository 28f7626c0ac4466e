aws_region        = "eu-west-1"
state_bucket      = "barkd-terraform-state"
lock_table        = "barkd-terraform-locks"
github_repository = "example-org/barkd"
