#!/bin/sh
# Core Web Vitals of the home page and a story (issue 24), in Debian's chromium with Lighthouse
# 12.2.3 (installed outside the repo: LIGHTHOUSE_DIR, default /tmp/lh24), at a 390 px phone
# viewport, against gunicorn on 127.0.0.1 serving the demo newsroom. Prints LCP, CLS, total
# bytes and render-blocking resources per page, and keeps them in bench/results/front_vitals.txt
# (Lighthouse's full JSON reports stay in a temporary folder).
set -eu
PORT=${PORT:-9251}
LIGHTHOUSE_DIR=${LIGHTHOUSE_DIR:-/tmp/lh24}
DB=$(mktemp -d)
# Production settings (compressed, hashed static files), the media served by Django.
export SECRET_KEY=front-vitals-bench ALLOWED_HOSTS=127.0.0.1 SERVE_MEDIA=1 \
  DATABASE_URL="sqlite:///$DB/db.sqlite3" MEDIA_ROOT="$DB/media"
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_demo >/dev/null
.venv/bin/gunicorn newsroom.wsgi -b 127.0.0.1:$PORT -w 2 >"$DB/gunicorn.log" 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN; rm -rf "$DB"' EXIT
sleep 3
STORY=/transparencia/2017/05/24/sociedad-civil-sale-de-alianza-para-el-gobierno-abierto/
mkdir -p bench/results
echo "$(date -u +%FT%TZ) throttling=${THROTTLING:-simulate}" >> bench/results/front_vitals.txt
# A running site: each worker has imported everything and read the pages once (the first
# request of a fresh worker took 0.8 s, which is start-up, not the page).
for _ in 1 2 3 4; do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/"
  curl -s -o /dev/null "http://127.0.0.1:$PORT$STORY"
done
for page in home story; do
  path=/; [ $page = story ] && path=$STORY
  CHROME_PATH=/usr/bin/chromium "$LIGHTHOUSE_DIR/node_modules/.bin/lighthouse" \
    "http://127.0.0.1:$PORT$path" --quiet --output=json \
    --output-path="$DB/lighthouse-$page.json" --only-categories=performance \
    --throttling-method="${THROTTLING:-simulate}" --screenEmulation.width=390 --screenEmulation.height=844 \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking"
  .venv/bin/python -c "
import json, sys
audits = json.load(open('$DB/lighthouse-$page.json'))['audits']
print('$page', 'LCP %.2f s' % (audits['largest-contentful-paint']['numericValue'] / 1000),
      'CLS %.3f' % audits['cumulative-layout-shift']['numericValue'],
      'weight %.0f kB' % (audits['total-byte-weight']['numericValue'] / 1024),
      'render-blocking', len(audits['render-blocking-resources'].get('details', {}).get('items', [])))
" | tee -a bench/results/front_vitals.txt
done
