# Argo CD itself, so that it can take over: the Applications in infra/argocd then own the
# barkd release, MariaDB and the monitoring stack. A pinned chart version from the
# project's own Helm repository; changing it is a reviewed change to this file.
resource "helm_release" "argocd" {
  name       = "argocd"
  repository = "https://argoproj.github.io/argo-helm"
  chart      = "argo-cd"
  version    = "8.5.0"
  namespace  = kubernetes_namespace_v1.this["argocd"].metadata[0].name

  # Roll back a failed install or upgrade, and only finish when Argo CD is running.
  atomic          = true
  wait            = true
  timeout         = 900
  cleanup_on_fail = true
}
