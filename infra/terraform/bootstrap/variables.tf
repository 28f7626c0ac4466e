variable "aws_region" {
  description = "AWS region of the state bucket and the lock table (the GitHub variable AWS_REGION)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[1-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region such as eu-west-1."
  }
}

variable "state_bucket" {
  description = "Name of the S3 bucket for Terraform state (globally unique; the GitHub variable TF_STATE_BUCKET)."
  type        = string
  default     = "barkd-terraform-state"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be 3-63 lowercase letters, digits and hyphens."
  }
}

variable "lock_table" {
  description = "Name of the DynamoDB table for state locks (the GitHub variable TF_LOCK_TABLE)."
  type        = string
  default     = "barkd-terraform-locks"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.lock_table))
    error_message = "lock_table must be 3-255 letters, digits, '_', '-' or '.'."
  }
}

variable "state_key_prefix" {
  description = "Prefix of the state keys CD may read and write (barkd/gke.tfstate, barkd/platform.tfstate)."
  type        = string
  default     = "barkd/"

  validation {
    condition     = can(regex("^[a-z0-9-]+/$", var.state_key_prefix))
    error_message = "state_key_prefix must be a folder name ending in '/'."
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose CD workflow may assume the state role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's IAM OIDC provider for token.actions.githubusercontent.com (an account has at most one: false if it exists already)."
  type        = bool
  default     = true
}

variable "noncurrent_state_days" {
  description = "Days an overwritten state version is kept (for rollback) before it expires."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_state_days >= 7
    error_message = "noncurrent_state_days must be at least 7."
  }
}
