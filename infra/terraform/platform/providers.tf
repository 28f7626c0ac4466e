# The cluster is the one the cluster root (..) made: read it, and reach its API through
# the DNS endpoint with the access token of whoever runs Terraform (CD's Workload
# Identity login, or an operator's gcloud login). That endpoint's certificate is issued by
# a public authority, so no cluster CA is configured; access is decided by IAM
# (container.clusters.connect) and then Kubernetes RBAC.
provider "google" {
  project = var.project_id
  region  = var.region
}

data "google_client_config" "current" {}

data "google_container_cluster" "barkd" {
  name     = var.cluster_name
  location = var.region
  project  = var.project_id
}

locals {
  kubernetes_host = "https://${data.google_container_cluster.barkd.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint}"
}

provider "kubernetes" {
  host  = local.kubernetes_host
  token = data.google_client_config.current.access_token
}

provider "helm" {
  kubernetes {
    host  = local.kubernetes_host
    token = data.google_client_config.current.access_token
  }
}
