terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    # 6.11.0 added control_plane_endpoints_config (the DNS endpoint) to
    # google_container_cluster; 7.x has breaking changes not taken up here.
    google = {
      source  = "hashicorp/google"
      version = "~> 6.11"
    }
  }

  # State in S3 with DynamoDB locking, as the original project had. The values come from
  # backend.hcl (see backend.hcl.example): terraform init -backend-config=backend.hcl
  backend "s3" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}
