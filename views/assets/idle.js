// Idle logout, both offices. The server ends a session after 20 idle minutes; this page counts the same minutes
// down in the header, warns one minute before with 「繼續使用」, and at zero logs out by itself (so the login page
// says 閒置登出 and nothing else). Typing and clicking count as use: they restart the countdown and, at most once a
// minute, tell the server too (a GET of /api/me, which touches the session), so the two clocks never disagree.
(function () {
  var body = document.body
  var el = document.getElementById('idle-countdown')
  if (!el) return
  var total = Number(body.getAttribute('data-idle-seconds') || '1200')
  var WARN = 60
  // a deadline, not a counter: background tabs run timers rarely, the clock still tells the truth
  var deadline = Date.now() + total * 1000
  var left = total
  var lastPing = Date.now()
  var warning = null

  function mmss(n) { var m = Math.floor(n / 60), s = n % 60; return (m < 10 ? '0' : '') + m + ':' + (s < 10 ? '0' : '') + s }
  function show() {
    el.textContent = mmss(Math.max(0, left))
    el.parentElement.classList.toggle('soon', left <= 120)
    if (left <= WARN) openWarning(); else closeWarning()
    if (warning) warning.querySelector('[data-idle-left]').textContent = String(Math.max(0, left))
  }
  function openWarning() {
    if (warning) return
    warning = document.createElement('div')
    warning.id = 'idle-warning'
    warning.className = 'idle-warning'
    warning.setAttribute('role', 'alertdialog')
    warning.setAttribute('aria-labelledby', 'idle-warning-text')
    var after = typedIn && typedIn.isConnected ? '您填寫的內容會保留，重新登入後會回到此頁。' : '未送出的資料將不會保存。'
    warning.innerHTML = '<p id="idle-warning-text">您已閒置一段時間，將於 <strong data-idle-left>60</strong> 秒後自動登出；' + after + '</p>' +
      '<button type="button" data-idle-continue>繼續使用</button>'
    body.appendChild(warning)
    warning.querySelector('[data-idle-continue]').focus()
  }
  function closeWarning() {
    if (!warning) return
    warning.remove()
    warning = null
  }
  function ping() {
    lastPing = Date.now()
    fetch('/api/me', { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(function (r) {
      if (r.status === 401) logout()
    }).catch(function () {})
  }
  function reset(tellServer) {
    deadline = Date.now() + total * 1000
    left = total
    show()
    if (tellServer || Date.now() - lastPing > 60000) ping()
  }
  // a form typed in (data-keep-form) is not lost at the idle logout: it is sent with _keep=idle, and the server keeps
  // it for this person and logs out (http/kept-forms-hook.ts); after logging in again it comes back, never sent by itself
  var typedIn = null
  function logout() {
    if (typedIn && typedIn.isConnected) {
      var keep = document.createElement('input')
      keep.type = 'hidden'; keep.name = '_keep'; keep.value = 'idle'
      typedIn.appendChild(keep)
      HTMLFormElement.prototype.submit.call(typedIn)
      return
    }
    var form = document.querySelector('form[action="/logout"]')
    if (!form) { window.location.href = '/login?expired=1'; return }
    var reason = document.createElement('input')
    reason.type = 'hidden'; reason.name = 'reason'; reason.value = 'idle'
    form.appendChild(reason)
    form.submit()
  }

  document.addEventListener('click', function (ev) {
    var t = ev.target instanceof Element ? ev.target : null
    reset(!!(t && t.closest('[data-idle-continue]')))
  })
  document.addEventListener('keydown', function () { reset(false) })
  document.addEventListener('input', function (ev) {
    var f = ev.target instanceof Element ? ev.target.closest('form[data-keep-form]') : null
    if (f) typedIn = f
    reset(false)
  })
  document.addEventListener('change', function (ev) {
    var f = ev.target instanceof Element ? ev.target.closest('form[data-keep-form]') : null
    if (f) typedIn = f
  })
  // a form shown again with what was typed (refused, or given back after logging in) counts as typed in
  typedIn = document.querySelector('form[data-keep-form][data-typed]')
  // a request the person made restarts the server's clock, so ours too (not the dashboard's own polling). Not while
  // the warning is open: only the person closes it (a click or a key, above). Opening it moves the focus, a field
  // typed in then fires its change and the form's live check answers by itself: that is nobody coming back.
  document.addEventListener('htmx:afterRequest', function (ev) {
    var elt = ev.detail && ev.detail.elt
    if (warning) return
    if (elt && /every /.test(elt.getAttribute('hx-trigger') || '')) return
    lastPing = Date.now(); deadline = Date.now() + total * 1000; left = total; show() })
  var timer = setInterval(function () {
    left = Math.ceil((deadline - Date.now()) / 1000)
    if (left <= 0) { clearInterval(timer); logout(); return }
    show()
  }, 1000)
  show()
})()
