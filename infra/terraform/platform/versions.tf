terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    # 6.11.0 added control_plane_endpoints_config, which the cluster data source reads.
    google = {
      source  = "hashicorp/google"
      version = "~> 6.11"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.36"
    }
    # helm 3.x changed the provider's kubernetes block into an attribute: stay on 2.x.
    helm = {
      source  = "hashicorp/helm"
      version = "~> 2.17"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Same S3 bucket and DynamoDB lock table as the cluster root, its own state key:
  # terraform init -backend-config=backend.hcl (see backend.hcl.example).
  backend "s3" {}
}
