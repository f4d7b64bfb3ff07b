"""The threat catalogue's XSS payloads (entries 1-11), shared by the server and browser tests."""

BODY_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<a onmouseover=alert(1)>pasa</a>",
    "<body onload=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "[x]( javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<iframe src="https://evil.example"></iframe><object data=x></object><embed src=x>',
    '<form action="https://evil.example"><input name=p></form><base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example"><link rel=stylesheet href=x>',
    "<svg><script>alert(1)</script></svg><math><mi>x</mi></math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<p style="background:url(javascript:alert(1))">x</p><style>*{}</style>',
    "<!--><img src=x onerror=alert(1)>-->",
    '![a](x.png "a\\" onerror=\\"alert(1))',
]
# Entry 11 and 12: text fields (headline, standfirst, names, tags, captions).
TEXT_PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
SCRIPT_CLOSING_PAYLOAD = "</script><script>alert(1)</script>"
