// Shows the sign-in failure message (the server redirects to /signin?failed=1).
'use strict';
if (new URLSearchParams(location.search).has('failed')) {
  document.getElementById('failed').hidden = false;
}
