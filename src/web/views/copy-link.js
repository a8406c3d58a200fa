// The phone page's "copy" button: copies the address in the field next to it. Without script the
// field is still there to select and copy by hand, so the button is only shown when this runs.
(function () {
  var button = document.querySelector('[data-copy-target]');
  if (!button) return;
  var field = document.getElementById(button.getAttribute('data-copy-target'));
  var status = document.getElementById('copy-status');
  if (!field) return;
  button.hidden = false;
  function report(ok) {
    if (status) status.textContent = button.getAttribute(ok ? 'data-copied' : 'data-copy-failed');
  }
  button.addEventListener('click', function () {
    field.focus();
    field.select();
    if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
      navigator.clipboard.writeText(field.value).then(
        function () {
          report(true);
        },
        function () {
          report(document.execCommand && document.execCommand('copy'));
        },
      );
    } else {
      report(document.execCommand && document.execCommand('copy'));
    }
  });
})();
