# Which cluster: shared by this root and the platform root (platform/cluster_identity.tf is
# a symbolic link to this file), so both validate the project, region and name alike.

variable "project_id" {
  description = "Google Cloud project that holds the cluster."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lowercase letters, digits and hyphens)."
  }
}

variable "region" {
  description = "Region of the (regional) cluster, e.g. europe-west1, europe-west10, northamerica-northeast1."
  type        = string
  default     = "europe-west1"

  # A region is <continent>-<direction><number>: europe-west10, us-east5, me-central2,
  # northamerica-northeast1, australia-southeast2, africa-south1. A zone (europe-west1-b)
  # is not a region. The pattern stays within what RE2 (Terraform) and Python's re share:
  # check_terraform.py tests it with both.
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[1-9][0-9]*$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1 or europe-west10 (not a zone such as europe-west1-b)."
  }
}

variable "cluster_name" {
  description = "Name of the GKE cluster."
  type        = string
  default     = "barkd"

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$", var.cluster_name))
    error_message = "cluster_name must be 1-40 lowercase letters, digits and hyphens, starting with a letter."
  }
}
