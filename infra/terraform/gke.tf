# The nodes run as their own service account with only the roles logging and
# monitoring need (not the Compute Engine default account).
resource "google_service_account" "nodes" {
  account_id   = "${var.cluster_name}-nodes"
  display_name = "GKE nodes of ${var.cluster_name}"
}

resource "google_project_iam_member" "nodes" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_container_cluster" "barkd" {
  name     = var.cluster_name
  location = var.region

  # The default pool is removed at once; nodes come from the separately managed pool below.
  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = true

  network         = google_compute_network.barkd.id
  subnetwork      = google_compute_subnetwork.nodes.id
  networking_mode = "VPC_NATIVE"

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  release_channel {
    channel = var.release_channel
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  # Nodes have no public addresses. The control plane has two ways in:
  # - the DNS endpoint (below), reachable from anywhere and authorized by IAM alone
  #   (container.clusters.connect, then Kubernetes RBAC). CD uses it: GitHub-hosted
  #   runners have no fixed addresses, so no network list could admit them.
  # - the IP endpoint, closed to all but master_authorized_networks (operators' IPs).
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = var.master_cidr
  }

  # Needs hashicorp/google >= 6.11.0 (see versions.tf).
  control_plane_endpoints_config {
    dns_endpoint_config {
      allow_external_traffic = true
    }
  }

  master_authorized_networks_config {
    dynamic "cidr_blocks" {
      for_each = var.master_authorized_networks
      content {
        cidr_block   = cidr_blocks.value.cidr_block
        display_name = cidr_blocks.value.display_name
      }
    }
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  dynamic "authenticator_groups_config" {
    for_each = var.security_group == "" ? [] : [var.security_group]
    content {
      security_group = authenticator_groups_config.value
    }
  }

  # Calico network policy, so the chart's NetworkPolicy objects are enforced.
  network_policy {
    enabled  = true
    provider = "CALICO"
  }

  addons_config {
    network_policy_config {
      disabled = false
    }
    http_load_balancing {
      disabled = false
    }
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  enable_shielded_nodes       = true
  enable_intranode_visibility = true
  enable_legacy_abac          = false

  logging_config {
    enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]
  }

  monitoring_config {
    enable_components = ["SYSTEM_COMPONENTS"]
  }

  # Settings for the (immediately removed) default pool, so no node ever starts without
  # the GKE metadata server or shielded boot.
  node_config {
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }

  resource_labels = var.labels
}

resource "google_container_node_pool" "default" {
  name     = "${var.cluster_name}-pool"
  location = var.region
  cluster  = google_container_cluster.barkd.name

  initial_node_count = var.min_nodes_per_zone

  autoscaling {
    min_node_count = var.min_nodes_per_zone
    max_node_count = var.max_nodes_per_zone
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  upgrade_settings {
    max_surge       = 1
    max_unavailable = 0
  }

  node_config {
    machine_type    = var.machine_type
    image_type      = "COS_CONTAINERD"
    disk_size_gb    = 50
    disk_type       = "pd-balanced"
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels          = var.labels

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    metadata = {
      disable-legacy-endpoints = "true"
    }
  }

  lifecycle {
    ignore_changes = [initial_node_count]
  }
}

# CD's service account reaches the cluster through the DNS endpoint: it needs
# container.clusters.connect and the Kubernetes API rights of a deployment, both in
# roles/container.developer (no cluster create/delete, no IAM, no RBAC changes).
resource "google_project_iam_member" "deploy" {
  project = var.project_id
  role    = "roles/container.developer"
  member  = "serviceAccount:${var.deploy_service_account}"
}
