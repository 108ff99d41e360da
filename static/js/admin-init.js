// The portal's script in the Wagtail admin (every page; website/wagtail_hooks.py).
//
// Starts the Wagtail admin's widgets that Wagtail starts with inline scripts, which the
// admin's Content-Security-Policy does not run. The portal's templates (templates/wagtailadmin/)
// and choosers (barleben_portal/security.py) put a <template data-admin-init="…"> where
// Wagtail has such a script. Each is started once, when it enters the page: while the page
// loads, and when a form or a modal is added later.
(() => {
  // `new PageChooser(id, options)` and the like (barleben_portal/security.py).
  const chooser = (name) => (data) => new window[name](data.for, JSON.parse(data.options));
  // Only these; a mark naming anything else is left alone.
  const starters = {
    Chooser: chooser('Chooser'),
    DocumentChooser: chooser('DocumentChooser'),
    ImageChooser: chooser('ImageChooser'),
    PageChooser: chooser('PageChooser'),
    SnippetChooser: chooser('SnippetChooser'),
    createTaskChooser: (data) => window.createTaskChooser(data.for),
    InlinePanel: (data) => new window.InlinePanel(JSON.parse(data.options)),
    initDateChooser: (data) => window.initDateChooser(data.for, JSON.parse(data.config)),
    initTimeChooser: (data) => window.initTimeChooser(data.for, JSON.parse(data.config)),
    initDateTimeChooser: (data) => window.initDateTimeChooser(data.for, JSON.parse(data.config)),
  };
  const selector = 'template[data-admin-init]';

  const start = (mark) => {
    const name = mark.dataset.adminInit;
    mark.removeAttribute('data-admin-init');
    if (Object.hasOwn(starters, name)) {
      starters[name](mark.dataset);
    }
  };

  const startWithin = (node) => {
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    if (node.matches(selector)) {
      start(node);
    }
    node.querySelectorAll(selector).forEach(start);
  };

  new MutationObserver((records) => {
    records.forEach((record) => record.addedNodes.forEach(startWithin));
  }).observe(document.documentElement, { childList: true, subtree: true });
  startWithin(document.documentElement);
})();

// Wagtail's multiple document upload stores each file the moment it is chosen, titled after
// its name. Sent without a title, a file is held instead (Wagtail's UploadedFile), and its row
// asks for the title and the rest; the document is made when staff save that form.
document.addEventListener('wagtail:documents-upload', (event) => {
  event.detail.data.title = '';
});
