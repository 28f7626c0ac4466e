# The namespaces the platform's objects live in. Argo CD's Applications deploy into the
# same ones (barkd: the app and its MariaDB; monitoring: Prometheus, Grafana, Loki).
resource "kubernetes_namespace_v1" "this" {
  for_each = toset(["barkd", "monitoring", "argocd"])

  metadata {
    name = each.key
    labels = {
      "app.kubernetes.io/managed-by" = "terraform"
      "app.kubernetes.io/part-of"    = "barkd"
    }
  }
}
