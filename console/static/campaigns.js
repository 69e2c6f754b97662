// Campaign pages: live figures and chart (polling this site's JSON), upload and import progress.
(function () {
  function getJson(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      });
  }

  function liveFigures(root) {
    var seconds = parseFloat(root.dataset.seconds) || 5;
    var lastSent = null;
    function refresh() {
      getJson(root.dataset.url).then(function (data) {
        Object.keys(data.texts).forEach(function (key) {
          document.querySelectorAll('[data-figure="' + key + '"]').forEach(function (el) {
            el.textContent = data.texts[key];
          });
        });
        var stamp = document.getElementById("refreshed-at");
        if (stamp) { stamp.textContent = "更新于 " + new Date().toLocaleTimeString("zh-CN"); }
        var sent = data.counts.sent + "/" + data.counts.answered;
        if (lastSent !== null && sent !== lastSent) { refreshChart(root.dataset.chartUrl); }
        lastSent = sent;
      }).catch(function () { /* keep the last figures; try again next time */ });
    }
    refresh();
    setInterval(refresh, seconds * 1000);
  }

  function refreshChart(url) {
    fetch(url, {credentials: "same-origin"}).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (svg) {
      var holder = document.getElementById("campaign-chart");
      if (svg && holder) { holder.innerHTML = svg; }
    });
  }

  function jobProgress(root) {
    var bar = document.getElementById("job-bar"), count = document.getElementById("job-count");
    function poll() {
      getJson(root.dataset.url).then(function (job) {
        if (job.total) { bar.max = job.total; }
        bar.value = job.done;
        count.textContent = job.done + " / " + (job.total || "?") + " 行";
        if (job.next) { window.location.assign(job.next); return; }
        if (job.phase !== root.dataset.phase) { window.location.reload(); return; }
        setTimeout(poll, 700);
      }).catch(function () { setTimeout(poll, 2000); });
    }
    poll();
  }

  function uploadForm(form) {
    var progress = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]").files[0];
      if (!file) { return; }
      event.preventDefault();
      if (file.size > parseInt(form.dataset.maxBytes, 10)) {
        status.textContent = "文件过大，请拆分后再上传";
        return;
      }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.onprogress = function (e) {
        if (e.lengthComputable) { progress.value = Math.round(100 * e.loaded / e.total); }
      };
      request.onload = function () {
        if (request.status < 400) { window.location.assign(request.responseURL); }
        else { status.textContent = "上传失败（" + request.status + "），请重试"; }
      };
      request.onerror = function () { status.textContent = "上传失败，请检查网络后重试"; };
      progress.hidden = false;
      status.textContent = "正在上传…";
      request.send(new FormData(form));
    });
  }

  function linksDownload(button) {
    button.addEventListener("click", function () {
      var rows = [["工单号", "链接"]];
      document.querySelectorAll("#customer-links tbody tr").forEach(function (tr) {
        rows.push([tr.cells[0].textContent, tr.cells[1].textContent]);
      });
      var text = rows.map(function (r) {
        return r.map(function (v) { return '"' + v.replace(/"/g, '""') + '"'; }).join(",");
      }).join("\r\n");
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob(["\ufeff" + text], {type: "text/csv"}));
      link.download = "customer-links.csv";
      link.click();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var download = document.getElementById("download-links");
    if (download) { linksDownload(download); }
    var live = document.getElementById("campaign-live");
    if (live) { liveFigures(live); }
    var job = document.getElementById("job-progress");
    if (job) { jobProgress(job); }
    var upload = document.getElementById("upload-form");
    if (upload) { uploadForm(upload); }
  });
})();
