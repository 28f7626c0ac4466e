terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }

  # No backend block: this root makes the bucket the other roots keep their state in, so
  # its own state is local (terraform.tfstate here, ignored by git). It is run once, by
  # hand; keep that file, or re-import the resources should it be lost (README.md).
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      app        = "barkd"
      managed-by = "terraform"
      root       = "infra/terraform/bootstrap"
    }
  }
}
