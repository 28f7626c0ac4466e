# Credentials generated here, never in git. They are stored in this root's state, which
# lives in the S3 bucket the bootstrap root made: SSE-KMS encrypted, versioned, public
# access blocked, TLS-only; whoever can read that state can read these.

resource "random_password" "database" {
  length  = 32
  special = false
}

resource "random_password" "admin_token" {
  length  = 48
  special = false
}

resource "random_password" "mariadb_root" {
  length  = 32
  special = false
}

resource "random_password" "grafana_admin" {
  length  = 32
  special = false
}

# Read by the barkd chart (existingSecret: barkd-credentials) and by the MariaDB that
# mariadb-operator runs for it (Argo CD manages both).
resource "kubernetes_secret_v1" "barkd_credentials" {
  metadata {
    name      = "barkd-credentials"
    namespace = kubernetes_namespace_v1.this["barkd"].metadata[0].name
  }

  data = {
    "db-password"           = random_password.database.result
    "admin-token"           = random_password.admin_token.result
    "mariadb-root-password" = random_password.mariadb_root.result
  }
}

# Read by Grafana: infra/monitoring/kube-prometheus-stack/values.yaml sets
# grafana.admin.existingSecret: grafana-admin (userKey admin-user, passwordKey admin-password).
resource "kubernetes_secret_v1" "grafana_admin" {
  metadata {
    name      = "grafana-admin"
    namespace = kubernetes_namespace_v1.this["monitoring"].metadata[0].name
  }

  data = {
    "admin-user"     = "admin"
    "admin-password" = random_password.grafana_admin.result
  }
}
