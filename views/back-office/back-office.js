// Select-all checkbox for batch actions. (The idle countdown is /assets/idle.js, shared with the front office.)
(function () {
  document.addEventListener('change', function (ev) {
    var t = ev.target
    if (t && t.matches && t.matches('[data-select-all]')) {
      var boxes = document.querySelectorAll('input[name="caseId"]')
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = t.checked
    }
  })
})()
