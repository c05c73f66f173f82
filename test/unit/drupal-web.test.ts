// The drupal role's small browser, as data: the form it fills is the one named by its
// form_id, with that form's hidden fields (HTML entities decoded) and its action.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DrupalClient, findForm } from '../../roles/drupal/web-client.ts'

const PAGE = `
<form action="/search/node" method="get" id="search-block-form">
  <input type="hidden" name="form_id" value="search_block_form" />
</form>
<form class="user-login-form" action="/user/login?destination=/node&amp;x=1" method="post" id="user-login-form">
  <input autocorrect="none" type="text" name="name" value="" />
  <input type="password" name="pass" />
  <input type="hidden" name="form_build_id" value="form-AbC_12&quot;x" />
  <input data-drupal-selector="edit-user-login-form" type="hidden" name="form_id" value="user_login_form" />
</form>`

test('findForm picks the form by its form_id, with its hidden fields and action decoded', () => {
  assert.deepEqual(findForm(PAGE, 'user_login_form'), {
    action: '/user/login?destination=/node&x=1',
    hidden: { form_build_id: 'form-AbC_12"x', form_id: 'user_login_form' },
  })
  assert.equal(findForm(PAGE, 'node_article_form'), undefined)
})

test('Drupal 7 is asked through ?q=, Drupal 10 through the path', () => {
  assert.equal(new DrupalClient('http://10.0.0.4', 'drupal.ha', 7).url('user/login'), 'http://10.0.0.4/?q=user/login')
  assert.equal(new DrupalClient('http://10.0.0.4', 'drupal.ha', 10).url('/user/login'), 'http://10.0.0.4/user/login')
})
