from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import feeds, sitemaps, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("archivo/", views.ArchiveIndexView.as_view(), name="archive"),
    path("archivo/<int:year>/", views.YearArchiveView.as_view(), name="archive-year"),
    path("archivo/<int:year>/<int:month>/", views.MonthArchiveView.as_view(), name="archive-month"),
    path("secciones/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("temas/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("autores/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("organizaciones/", views.OrganizationListView.as_view(), name="organizations"),
    path("organizaciones/<slug:slug>/", views.OrganizationView.as_view(), name="organization"),
    path("buscar/", views.search_view, name="search"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path(
        "sitemap-news.xml",
        sitemap,
        {"sitemaps": {"news": sitemaps.NewsSitemap}, "template_name": "articles/sitemap_news.xml"},
        name="sitemap-news",
    ),
    path(
        "sitemap-<str:section>.xml",
        sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
    path("correcciones/", views.CorrectionListView.as_view(), name="corrections"),
    path("vista-previa/historia/<int:pk>/", views.article_preview, name="preview"),
    path("vista-previa/<str:token>/", views.shared_preview, name="shared-preview"),
    path("feeds/rss/", feeds.LatestRssFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestAtomFeed(), name="feed-atom"),
    path("feeds/secciones/<slug:slug>/rss/", feeds.SectionRssFeed(), name="section-feed-rss"),
    path("feeds/secciones/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section-feed-atom"),
    path("feeds/temas/<str:slug>/rss/", feeds.TagRssFeed(), name="tag-feed-rss"),
    path("feeds/temas/<str:slug>/atom/", feeds.TagAtomFeed(), name="tag-feed-atom"),
    path("feeds/autores/<slug:slug>/rss/", feeds.AuthorRssFeed(), name="author-feed-rss"),
    path("feeds/autores/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author-feed-atom"),
    path(
        "feeds/organizaciones/<slug:slug>/rss/",
        feeds.OrganizationRssFeed(),
        name="organization-feed-rss",
    ),
    path(
        "feeds/organizaciones/<slug:slug>/atom/",
        feeds.OrganizationAtomFeed(),
        name="organization-feed-atom",
    ),
    # Story addresses keep the shape of the old Jekyll permalinks: section, date, slug.
    path(
        "<slug:section>/<int:year>/<str:month>/<str:day>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="article",
    ),
]
