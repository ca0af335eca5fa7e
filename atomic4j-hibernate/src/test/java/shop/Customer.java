// Printed in the README ("JPA and Hibernate"); keep the two identical.
package shop;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

@Entity
public class Customer {
    @Id
    private String email;

    protected Customer() {
    }

    public Customer(String email) {
        this.email = email;
    }
}
