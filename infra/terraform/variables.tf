variable "release_channel" {
  description = "GKE release channel: RAPID, REGULAR or STABLE."
  type        = string
  default     = "REGULAR"

  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE."
  }
}

variable "machine_type" {
  description = "Machine type of the node pool."
  type        = string
  default     = "e2-standard-2"
}

variable "min_nodes_per_zone" {
  description = "Smallest number of nodes per zone the autoscaler keeps."
  type        = number
  default     = 1

  validation {
    condition     = var.min_nodes_per_zone >= 0 && var.min_nodes_per_zone <= 10
    error_message = "min_nodes_per_zone must be 0-10."
  }
}

variable "max_nodes_per_zone" {
  description = "Largest number of nodes per zone the autoscaler may add."
  type        = number
  default     = 3

  validation {
    condition     = var.max_nodes_per_zone >= 1 && var.max_nodes_per_zone <= 100
    error_message = "max_nodes_per_zone must be 1-100."
  }
}

variable "subnet_cidr" {
  description = "Primary range of the nodes' subnet."
  type        = string
  default     = "10.10.0.0/20"

  validation {
    condition     = can(cidrnetmask(var.subnet_cidr))
    error_message = "subnet_cidr must be an IPv4 CIDR block."
  }
}

variable "pods_cidr" {
  description = "Secondary range for pods (VPC-native cluster)."
  type        = string
  default     = "10.20.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.pods_cidr))
    error_message = "pods_cidr must be an IPv4 CIDR block."
  }
}

variable "services_cidr" {
  description = "Secondary range for services."
  type        = string
  default     = "10.30.0.0/20"

  validation {
    condition     = can(cidrnetmask(var.services_cidr))
    error_message = "services_cidr must be an IPv4 CIDR block."
  }
}

variable "master_cidr" {
  description = "The /28 range of the private control plane."
  type        = string
  default     = "172.16.0.0/28"

  validation {
    condition     = can(cidrnetmask(var.master_cidr)) && endswith(var.master_cidr, "/28")
    error_message = "master_cidr must be an IPv4 /28 block."
  }
}

variable "master_authorized_networks" {
  description = "Operators' CIDR blocks allowed to reach the IP endpoint of the Kubernetes API (kubectl from an office or VPN). CI does not use it: GitHub-hosted runners have no fixed addresses and reach the API through the DNS endpoint, authorized by IAM."
  type = list(object({
    cidr_block   = string
    display_name = string
  }))
  default = []

  validation {
    condition     = alltrue([for network in var.master_authorized_networks : can(cidrnetmask(network.cidr_block))])
    error_message = "every master_authorized_networks cidr_block must be an IPv4 CIDR block."
  }
}

variable "security_group" {
  description = "Google group for RBAC (gke-security-groups@yourdomain); empty disables Google Groups for RBAC."
  type        = string
  default     = ""

  validation {
    condition     = var.security_group == "" || can(regex("^gke-security-groups@", var.security_group))
    error_message = "security_group must be empty or gke-security-groups@<domain>."
  }
}

variable "labels" {
  description = "Labels on every resource that takes them."
  type        = map(string)
  default = {
    app        = "barkd"
    managed-by = "terraform"
  }
}

variable "deploy_service_account" {
  description = "Email of the Google service account CD deploys with (the GitHub variable GCP_SERVICE_ACCOUNT). It is granted roles/container.developer, which includes container.clusters.connect (needed to use the DNS endpoint) and the Kubernetes API rights a deployment uses."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\\.iam\\.gserviceaccount\\.com$", var.deploy_service_account))
    error_message = "deploy_service_account must be a user-managed service account email: NAME@PROJECT.iam.gserviceaccount.com."
  }
}
