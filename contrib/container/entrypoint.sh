#!/bin/sh
# Container entrypoint: the image carries no key; the first start makes one in the volume mounted
# at /data, every later start (and every replica sharing the volume) reads the same one. The
# application's settings read the store (see contrib/debian/postinst).
#
#     ENTRYPOINT ["/entrypoint.sh"]
#     CMD ["gunicorn", "myapp.wsgi"]
set -e
STORE="${SECRET_KEY_STORE:-/data/secret_key}"
secretpatch --quiet --store "$STORE"
exec "$@"
