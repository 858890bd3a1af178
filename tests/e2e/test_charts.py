"""ECharts from the vendored npm package draws a chart, tooltip included, under the platform's CSP."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.template import engines
from django.test import override_settings
from django.urls import include, path
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# A console page would do the same: the library from static/vendor, its own script a file (no
# inline script under the CSP), the data handed over with json_script.
PAGE = """{% extends "base.html" %}{% load static %}
{% block content %}<div id="chart" class="card chart"></div>{{ data|json_script:"chart-data" }}{% endblock %}
{% block extra_scripts %}<script src="{% static 'vendor/echarts.min.js' %}"></script>
<script src="/chart.js"></script>{% endblock %}"""

SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("chart");
  box.style.height = "320px";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var chart = echarts.init(box);
  chart.setOption({ tooltip: { trigger: "item" }, series: [{ type: "pie", data: data }] });
  chart.on("finished", function () { box.dataset.ready = "1"; });
});
"""


def chart_page(request):
    data = [{"name": "食品", "value": 12}, {"name": "药品", "value": 5}]
    return HttpResponse(engines["django"].from_string(PAGE).render({"data": data}, request))


def chart_script(request):
    return HttpResponse(SCRIPT, content_type="text/javascript")


urlpatterns = [
    path("chart/", chart_page),
    path("chart.js", chart_script),
    path("", include("tracehub.core.urls")),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_chart_with_its_tooltip_draws_under_the_csp(page, shoot):
    page.goto("/chart/")
    expect(page.locator("#chart[data-ready='1'] canvas")).to_be_visible()
    box = page.locator("#chart").bounding_box()
    # the larger slice (食品) starts at twelve o'clock and runs clockwise: hover right of the centre
    page.mouse.move(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2 + 10)
    expect(page.locator("#chart div").filter(has_text="食品").last).to_be_visible()
    shoot(page, "chart")
