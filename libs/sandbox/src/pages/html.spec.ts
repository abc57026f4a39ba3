import { escapeHtml, html } from './html';

describe('html (the student pages template tag)', () => {
  it('escapes every interpolated value, including inside attributes', () => {
    const hostile = `"><script>alert('x')</script>&`;
    // prettier-ignore
    const out = html`<input value="${hostile}"><p>${hostile}</p>`.text;
    expect(out).toBe(
      '<input value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"><p>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
  });

  it('keeps nested html as markup, escapes arrays item by item, and drops null, undefined and false', () => {
    const items = ['<a>', html`<b>${'<c>'}</b>`];
    expect(html`<div>${items}${null}${undefined}${false}${0}</div>`.text).toBe('<div>&lt;a&gt;<b>&lt;c&gt;</b>0</div>');
  });

  it('escapeHtml covers the five characters that matter', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
