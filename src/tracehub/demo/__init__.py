"""The demo data set (示范数据): a small, realistic Xiamen traceability data set (issue #2 item 7).

:mod:`tracehub.demo.data` describes the parties, locations and products once; :mod:`tracehub.demo.events`
builds the EPCIS 2.0 capture documents of five supply chains from them; ``tracehub load_demo``
captures those documents through the real capture pipeline (``make run`` does so on an empty store).
"""
