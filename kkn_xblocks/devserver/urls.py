"""URLs of the local preview: the workbench's own, and the preview's extra pages."""
from workbench.urls import urlpatterns as workbench_urlpatterns

urlpatterns = [*workbench_urlpatterns]
