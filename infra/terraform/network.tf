# A VPC-native network for the cluster: one subnet with secondary ranges for pods and
# services, flow logs, and Cloud NAT so private nodes can pull images from Docker Hub.
resource "google_compute_network" "barkd" {
  name                    = "${var.cluster_name}-network"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}

resource "google_compute_subnetwork" "nodes" {
  name                     = "${var.cluster_name}-nodes"
  region                   = var.region
  network                  = google_compute_network.barkd.id
  ip_cidr_range            = var.subnet_cidr
  private_ip_google_access = true

  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = var.pods_cidr
  }

  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = var.services_cidr
  }

  log_config {
    aggregation_interval = "INTERVAL_5_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_router" "barkd" {
  name    = "${var.cluster_name}-router"
  region  = var.region
  network = google_compute_network.barkd.id
}

resource "google_compute_router_nat" "barkd" {
  name                               = "${var.cluster_name}-nat"
  router                             = google_compute_router.barkd.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

# An explicit, logged default deny for ingress (GKE adds its own higher-priority rules
# for the control plane and health checks).
resource "google_compute_firewall" "deny_ingress" {
  name      = "${var.cluster_name}-deny-ingress"
  network   = google_compute_network.barkd.name
  direction = "INGRESS"
  priority  = 65534

  deny {
    protocol = "all"
  }

  source_ranges = ["0.0.0.0/0"]

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}
