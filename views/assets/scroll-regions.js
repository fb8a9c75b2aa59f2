// A table wider than the screen scrolls sideways inside its .table-wrap: such a box must be reachable by keyboard
// (WCAG 2.1.1), so it becomes a named, focusable region while (and only while) it actually overflows.
(function () {
  function mark() {
    var boxes = document.querySelectorAll('.table-wrap')
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i]
      if (box.scrollWidth > box.clientWidth + 1) {
        var table = box.querySelector('table')
        var name = table && (table.getAttribute('aria-label') || (table.caption && table.caption.textContent))
        box.setAttribute('tabindex', '0')
        box.setAttribute('role', 'region')
        box.setAttribute('aria-label', (name ? name.trim() + '（' : '表格（') + '可左右捲動）')
      } else if (box.getAttribute('role') === 'region') {
        box.removeAttribute('tabindex'); box.removeAttribute('role'); box.removeAttribute('aria-label')
      }
    }
  }
  document.addEventListener('DOMContentLoaded', mark)
  document.addEventListener('htmx:afterSettle', mark)
  window.addEventListener('resize', mark)
})()
