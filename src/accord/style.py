"""The one stylesheet of accord's HTML pages (case reports, backtest reports, war-game reviews).

It sits below every layer that renders HTML, so the war game's review and the reports share it.
"""

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;
max-width:64rem;color:#222;padding:0 1rem;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2.4rem;
border-bottom:2px solid #ddd;padding-bottom:.2rem}h3{font-size:1.05rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.86rem}
th,td{border:1px solid #ddd;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n,th.n{text-align:right;white-space:nowrap}
.note{color:#555;font-size:.88rem}.na{color:#8a6d3b;background:#fcf8e3;padding:.4rem .7rem;
border-left:4px solid #e6c35c}.key{background:#eef6ee;border-left:4px solid #4caf50;
padding:.5rem .8rem}.bad{color:#b03a2e;font-weight:600}.good{color:#1e7d32;font-weight:600}
figure{margin:1rem 0}figure svg{width:100%;height:auto;display:block}
figcaption{font-size:.84rem;color:#555}nav ol{columns:2;font-size:.9rem}
code{font-size:.88em}
header.run{display:flex;justify-content:space-between;font-size:.8rem;color:#666;
border-bottom:1px solid #ddd;padding-bottom:.2rem}
p.bl{font-size:1.02rem;background:#eef3fa;border-left:4px solid #2f6db5;padding:.5rem .8rem}
p.rec{background:#f7f7f7;border-left:4px solid #888;padding:.4rem .8rem}
div.box{border:2px solid #2f6db5;padding:.5rem .8rem;margin:.8rem 0;font-size:.95rem}
div.issue-bl{margin-bottom:1.4rem}div.issue-bl ul{margin:.2rem 0 .6rem}
@media print{section.page{break-before:page}header.run{display:none}
figure,table{break-inside:avoid}body{max-width:none;margin:0}}
"""
