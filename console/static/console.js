// Live SLA countdown: every element with data-due shows the time left (or overdue).
(function () {
  function text(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = (days ? days + "天" : "") + (hours || days ? hours + "小时" : "") + mins + "分";
    return (ms >= 0 ? "剩余 " : "已超时 ") + parts;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      el.textContent = text(left);
      el.classList.toggle("late", left < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
  });
})();
