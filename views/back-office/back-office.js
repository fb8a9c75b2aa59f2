// Idle-timeout countdown (the server ends a session after 20 idle minutes): every request resets it; at zero the
// page goes to the login page. Also: select-all checkbox for batch actions.
(function () {
  var body = document.body
  var total = Number(body.getAttribute('data-idle-seconds') || '1200')
  var left = total
  var el = document.getElementById('idle-countdown')
  function show() {
    if (!el) return
    var m = Math.floor(left / 60), s = left % 60
    el.textContent = (m < 10 ? '0' : '') + m + ':' + (s < 10 ? '0' : '') + s
    el.parentElement.classList.toggle('soon', left <= 120)
  }
  function reset() { left = total; show() }
  document.addEventListener('htmx:afterRequest', reset)
  setInterval(function () {
    left -= 1
    if (left <= 0) { window.location.href = '/login?expired=1'; return }
    show()
  }, 1000)
  show()
  document.addEventListener('change', function (ev) {
    var t = ev.target
    if (t && t.matches && t.matches('[data-select-all]')) {
      var boxes = document.querySelectorAll('input[name="caseId"]')
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = t.checked
    }
  })
})()
